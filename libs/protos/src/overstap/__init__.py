"""Generated gRPC/protobuf code for the overstap.* proto packages (see protos/ and `make protos`)."""
