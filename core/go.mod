module github.com/guardgo/guard/core

go 1.25.0
