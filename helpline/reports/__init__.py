"""Call volumes, the supervisor dashboard, the commissioner's report and their exports."""
