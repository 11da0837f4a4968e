"""Kept for the branches that still import from here: the layer helpers now live by purpose in
``layer_read`` (reading layers into arrays), ``crs`` (CRS helpers) and ``outputs`` (output helpers).
Import from those; this module only re-exports them and goes once nothing imports it."""

from .crs import (  # noqa: F401
    GEOGRAPHIC_AUTHID,
    geographic_crs,
    has_xy_code,
    to_lonlat,
    transform_xy,
    xy_code_crs,
)
from .layer_read import (  # noqa: F401
    ChomePoints,
    LayerPoints,
    ResourcePoints,
    as_float_array,
    default_population_field,
    iterate,
    ogr_layer,
    plain_layer,
    point_of_geometry,
    read_chome,
    read_points,
    read_resources,
    to_text,
    unreadable_chome_message,
    unreadable_layers,
)
from .outputs import (  # noqa: F401
    gc_paused,
    remove_partial_output,
)
