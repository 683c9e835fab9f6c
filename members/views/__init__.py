"""Pages of the registry, by domain: sign-in (`accounts`), the member's own pages (`me`),
the inbox (`notices`), and the staff pages (`staff_home`, `staff_registry`,
`staff_dashboard`). `access` holds the page mixins every app uses."""
