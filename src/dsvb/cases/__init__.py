"""Partnership cases: the casework beneath the board's figures (plain Python, no Django).

An agency opens a case for a victim; partner agencies (IDVAs, MARACs, police, children's
services, housing, health, refuges) complete DASH risk assessments, refer high-risk victims
to a MARAC, share what each needs to know, and the police owe the victim the Victims' Code's
contacts. The rules live here, each dated where it changed, and are tested without a
database; :mod:`dsvb.web.cases` is the thin web app over them.

- :mod:`~dsvb.cases.agencies` -- kinds of agency (police, IDVA service, MARAC, ...)
- :mod:`~dsvb.cases.fields` -- a case's field groups, their sensitivity, what each kind of
  agency needs (``reference/data/case_field_needs.csv``)
- :mod:`~dsvb.cases.states` -- typed states of cases, referrals, shares, actions; their moves
- :mod:`~dsvb.cases.access` -- who may see and change a case, and why (the one ``decide``,
  plus personal emergency grants: "break glass")
- :mod:`~dsvb.cases.dash` -- DASH checklists, scoring, levels, professional judgement
- :mod:`~dsvb.cases.marac` -- referral criteria, repeats (two definitions), the quarterly return
- :mod:`~dsvb.cases.vcop` -- the Victims' Code contacts a case's events owe, with deadlines
- :mod:`~dsvb.cases.compliance` -- the managers' lists of non-compliance over police extracts
- :mod:`~dsvb.cases.retention` -- records past their retention period
- :mod:`~dsvb.cases.interchange` -- the bulk-import format (``dsvb import-cases``)
"""
