from .inference import (inference_model, init_model, load_image, read_reduced,
                        use_checkpoint)

__all__ = [
    'init_model', 'inference_model', 'load_image', 'read_reduced',
    'use_checkpoint'
]
