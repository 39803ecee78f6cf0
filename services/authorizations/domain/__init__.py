"""The rules of the authorization desk (001) and of treatment plans, documents, payments and
messages (003), as plain Python: times come in as arguments, nothing here knows nameko or
SQLAlchemy.

- ``catalogue``: demand types, procedures and what an item needs (tooth, faces, region).
- ``requests``: an authorization request from draft to decision, its numbers and protocol.
- ``codes``: the authorization code (senha), its 90-day validity and its verification.
- ``callers``: the one ``ponte.caller.Caller`` as a side of the conversation, and the desk.
- ``money``: payments (liquidations), exact decimals.
- ``inquiries``: the status of an inquiry's thread.
- ``forms``: the gateway's field errors and the rules' answered together.
"""
