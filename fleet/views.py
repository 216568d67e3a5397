"""HTML pages: parse, call one service or selector, render."""
