"""The arithmetic of the official forms, without Django: cells that may be blank, adding grids for the
roll-up over the division tree, reporting periods and the way the forms write dates."""
