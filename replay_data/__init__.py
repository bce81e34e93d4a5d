"""The seeded contact-center simulator and the shipped sample day."""
