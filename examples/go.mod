module github.com/guardgo/guard/examples

go 1.25.0

require github.com/guardgo/guard/core v0.0.0

replace github.com/guardgo/guard/core => ../core
