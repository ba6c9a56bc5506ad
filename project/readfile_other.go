//go:build !unix

package project

import "os"

// readInto reads the file at path; buf is not needed here.
func readInto(path string, _ []byte) ([]byte, error) { return os.ReadFile(path) }
