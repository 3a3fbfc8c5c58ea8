"""Version of mmdynaseg."""
__version__ = '0.1.0'
