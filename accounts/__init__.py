"""Who may sign in and what each may write: accounts, passwords, sessions, tokens, permissions.

Kept apart from the graph on purpose: accounts live in an embedded SQL database (SQLite), never
in the published data, and nothing here imports the store. The faces (api/) read the database
to know who is acting and ask `accounts.permissions` whether they may.
"""
