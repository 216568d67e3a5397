"""HTML pages: parse, call one service or selector, render. Split by who uses them."""
