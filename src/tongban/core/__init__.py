"""What several apps share: state machines, working days, bilingual fields, YAML content,
identity numbers, private file storage, PDFs and QR codes.

Imports no domain app (catalogue, guidance, accounts, applications, notifications); only
``moves`` uses ``tongban.audit``, to audit each transition.
"""
