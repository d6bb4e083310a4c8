package demo

// SignIns lists the demo users' sign-ins, for printing again when the demo data already exists.
func SignIns() []SignIn {
	out := make([]SignIn, 0, len(demoUsers))
	for _, u := range demoUsers {
		out = append(out, u.SignIn)
	}
	return out
}
