"""The staff workspace: acceptance, the case, the review inbox, the centre's list."""
