"""The community directory: Open Referral UK data, postcode distances and search.

The assistant's suggestions (actions/suggestions.py), the command line (`./kindred directory`)
and the staff console all search it through `directory.search.search`.
"""
