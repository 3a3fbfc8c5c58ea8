from .inference import (inference_model, init_model, load_image, read_reduced,
                        use_checkpoint)
from .inferencer import DynaSegInferencer

__all__ = [
    'DynaSegInferencer', 'init_model', 'inference_model', 'load_image',
    'read_reduced', 'use_checkpoint'
]
