"""mailbot: takes in reports of personal-data breaches by e-mail and keeps the breach register."""

__version__ = "0.1.0"
