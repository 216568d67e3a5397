"""Read queries shared by views, API and tasks, scoped by who asks."""
