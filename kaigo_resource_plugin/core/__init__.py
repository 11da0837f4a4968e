"""Pure Python + numpy computations of the plugin. Nothing in core/ imports qgis."""
