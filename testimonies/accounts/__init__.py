"""Researcher accounts: sign-up, rate limits, the client's address, template context.

The model is :class:`testimonies.models.ResearcherApplication`; the pages are in
:mod:`testimonies.views.accounts`; archivists decide in the admin
(:mod:`testimonies.admin.researchers`).
"""
