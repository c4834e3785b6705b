//! Figures as standalone, deterministic SVG: theme trees, the saturation curve, the triangulation heat map, tree alignment.
