"""Identity rules as plain Python, runnable without a broker or a database: password policy and
hashing, login lockout, refresh-token rotation, one-time links and registration rules."""
