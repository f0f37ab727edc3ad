"""The meeting: meetings and their agenda, decisions, actions and follow-up, minutes."""
