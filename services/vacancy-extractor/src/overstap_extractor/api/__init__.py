"""The gRPC face of the vacancy service: the servicer and the protobuf conversions."""
