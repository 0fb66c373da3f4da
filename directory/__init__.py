"""The community directory (Open Referral UK data, postcode distances, search).

Not built yet: until it is, the assistant offers a person from the team when someone asks for
local groups, transport, befriending or respite (see `utter_local_help_not_yet` in domain.yml).
"""
