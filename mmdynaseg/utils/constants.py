"""Values every layer shares: the ignore label and the data-sample keys."""
# label of pixels without ground truth or guidance (MMSeg's convention)
IGNORE_INDEX = 255
# metainfo key of an image's silhouette estimate k* (SilhouetteHook,
# PerImageDynaSeg; read by DynaSegHead's silhouette floor)
SILHOUETTE_KEY = 'silhouette_k'
# data-sample field of the DynaGuide pseudo-labels (PackGuidedSegInputs;
# read by DynaSegHead's guidance loss)
GUIDE_KEY = 'gt_guide'
# pipeline results key of the guide map before packing (LoadGuidance)
GUIDE_MAP_KEY = 'gt_guide_map'
# metainfo key of an image whose per-image optimisation failed, holding the
# reason (PerImageDynaSeg; metrics leave the image out and report it)
FAILED_KEY = 'failed'
