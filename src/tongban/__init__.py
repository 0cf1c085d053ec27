"""tongban: one network for all government services (一网通办)."""
