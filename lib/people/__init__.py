"""People: accounts, roles and permissions, passwords and login."""
