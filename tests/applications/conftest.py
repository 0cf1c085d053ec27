import pytest


@pytest.fixture(autouse=True)
def _files(files):
    """Every application test stores, signs and mails into its own folder."""
