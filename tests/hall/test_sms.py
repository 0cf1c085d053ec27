import json

from tongban.hall import sms


def test_the_demo_backend_writes_each_message_to_a_file(settings, tmp_path):
    settings.TONGBAN_SMS_DIR = tmp_path / "sms"
    sms.send("13800138000", "A023：请到 5 号窗口")
    sms.send("13900139000", "B001")
    sent = [json.loads(path.read_text()) for path in settings.TONGBAN_SMS_DIR.iterdir()]
    assert [(m["to"], m["text"]) for m in sorted(sent, key=lambda m: m["to"])] == [
        ("13800138000", "A023：请到 5 号窗口"),
        ("13900139000", "B001"),
    ]
