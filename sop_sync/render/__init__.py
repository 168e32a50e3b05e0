"""Text for people: one Jinja environment, neutralised user text, tracker texts per markup."""
