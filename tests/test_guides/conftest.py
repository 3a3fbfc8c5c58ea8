"""Fixtures: tiny synthetic images for the guidance sources."""
import numpy as np
import pytest

RED, BLUE = (200, 30, 30), (30, 30, 200)


@pytest.fixture
def two_colour_image():
    """8 x 12 RGB image: red left half, blue right half."""
    image = np.zeros((8, 12, 3), dtype=np.uint8)
    image[:, :6] = RED
    image[:, 6:] = BLUE
    return image
