package gid

//go:generate go run gen.go
