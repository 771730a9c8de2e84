"""weijian (卫健): the working platform of a county or city health commission."""
