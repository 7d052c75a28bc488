"""Disclosure control shared by every service that publishes aggregate figures.

`rounding` is the method (cell-key random rounding of counts to a base, money to thousands),
`periods` the fixed reporting grains (calendar month, quarter, year). Pure: standard library only.
docs/disclosure.md states the guarantee and its limits.
"""
