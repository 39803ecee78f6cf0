"""The HTTP gateway: route → schema → one call → response. It holds no business state."""
