from sanyuan.crypto import EncryptedTextField, encrypt


class EncryptedFenField(EncryptedTextField):
    """An amount in fen, stored encrypted (as its decimal text); reads back as an int."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return int(value) if value not in (None, "") else None

    def to_python(self, value):
        if value in (None, ""):
            return None
        return int(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return ""
        return encrypt(str(int(value)))
