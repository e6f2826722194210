"""What a browser would send back from an HTML form: the admin's change form."""

from html.parser import HTMLParser

#: Input types a browser leaves out of a submitted form.
NOT_SENT = {"submit", "button", "reset", "image", "file"}


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        kind = attrs.get("type", "text")
        if tag == "input" and name and kind not in NOT_SENT:
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            else:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {
                "name": name,
                "multiple": "multiple" in attrs,
                "first": None,
                "chosen": [],
            }
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The newline right after <textarea> is not part of the value.
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select = self._select
            chosen = select["chosen"]
            # A single select with nothing marked sends its first option.
            if not chosen and not select["multiple"] and select["first"] is not None:
                chosen = [select["first"]]
            self.fields.extend((select["name"], value) for value in chosen)
            self._select = None


def form_fields(html, form_id):
    """The (name, value) pairs the form ``form_id`` of ``html`` would submit."""
    parser = _FormFields(form_id)
    parser.feed(html)
    parser.close()
    return parser.fields


def replace(fields, name, value):
    return [(key, value if key == name else old) for key, old in fields]
