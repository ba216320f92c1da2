from rest_framework import serializers


class TextField(serializers.CharField):
    """v5 text is a JSON string: a number or a list is refused, not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
