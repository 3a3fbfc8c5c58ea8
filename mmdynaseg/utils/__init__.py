"""Utilities of mmdynaseg."""
from .allocator import keep_freed_memory
from .checkpoint import (MMENGINE_CHECKPOINT_GLOBALS, CheckpointError,
                         check_checkpoint, load_checkpoint_file)
from .config import ConfigError, check_config, default_work_dir, load_config
from .constants import (FAILED_KEY, GUIDE_KEY, GUIDE_MAP_KEY, IGNORE_INDEX,
                        SILHOUETTE_KEY)
from .fileio import (MAX_LABEL, atomic_output, finite_json, folder_lock,
                     label_map_array, load_results, prepare_output_folder,
                     remove_partial_files, update_results, write_bytes,
                     write_text)
from .label_png import (encode_label_png, read_label_map, read_label_png,
                        resize_nearest, write_label_png)
from .matching import max_overlap_matching
from .palette import cluster_meta, cluster_palette
from .precision import supports_autocast, warn_once
from .silhouette import NumSegmentsCache, estimate_num_segments
from .snapshot import SnapshotStore

__all__ = [
    'FAILED_KEY', 'GUIDE_KEY', 'GUIDE_MAP_KEY', 'IGNORE_INDEX', 'SILHOUETTE_KEY',
    'ConfigError', 'check_config', 'default_work_dir', 'load_config',
    'MAX_LABEL', 'atomic_output', 'finite_json', 'folder_lock',
    'label_map_array',
    'load_results', 'prepare_output_folder',
    'remove_partial_files', 'update_results', 'write_bytes', 'write_text',
    'MMENGINE_CHECKPOINT_GLOBALS', 'CheckpointError', 'check_checkpoint',
    'load_checkpoint_file', 'encode_label_png', 'read_label_map',
    'read_label_png', 'resize_nearest',
    'write_label_png', 'cluster_meta', 'cluster_palette',
    'max_overlap_matching', 'supports_autocast',
    'warn_once', 'NumSegmentsCache', 'estimate_num_segments',
    'keep_freed_memory', 'SnapshotStore'
]
