"""The notifications service's rules, free of any framework: one module per idea.

* ``email``: an e-mail's life (pending → sent | retrying → ... → failed) and its backoff;
* ``catalogue``: every notification type, who can receive it, which e-mails can be switched off;
* ``routing``: who an event is for;
* ``incoming``: an event as notifications sees it, and the person it is for;
* ``bulletins``: what makes a bulletin valid;
* ``zones``: the time zone named as readers name it.
"""
