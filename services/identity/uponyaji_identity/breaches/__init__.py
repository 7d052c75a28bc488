"""The personal data breach register (Data Protection Act, 2019, s.43): the data protection
officer's record of every breach, its assessment, the 72-hour notification deadline and what was
told to the Data Commissioner and to the people affected (docs/data-protection.md)."""
