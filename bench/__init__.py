"""Measurements of mailbot: the mail-flow benchmark (run.py) and how well replies are read (replies.py)."""
