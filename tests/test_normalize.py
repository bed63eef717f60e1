"""What people paste is reduced to the lines that carry the error."""

import pytest

from bot.normalize import MAX_INPUT_CHARS, Cleaned, clean_paste, context_slots, fold


def test_slack_markup_is_removed_and_link_labels_kept():
    cleaned = clean_paste("<!here> <@U024BE7LH> see <https://x.myvtex.com/admin|the admin> :fire:")
    assert cleaned.text == "see the admin"


def test_slack_escapes_are_undone():
    assert clean_paste("Marketplace &gt; Connections &amp; more").text == (
        "Marketplace > Connections & more"
    )


def test_code_fences_and_quotes_are_stripped():
    cleaned = clean_paste("> ```Inactive SKU```\n> `SKU without trade policy`")
    assert cleaned.lines() == ["Inactive SKU", "SKU without trade policy"]


def test_json_wrapper_becomes_its_message_with_the_sku_alongside():
    cleaned = clean_paste('{"Message": "Inactive SKU", "SkuId": "123"}')
    assert cleaned.lines() == ["Inactive SKU | sku 123"]


def test_tab_separated_rows_become_cells_and_timestamps_go():
    cleaned = clean_paste("1234\tCamiseta\t2024-05-12 14:03\tInactive SKU")
    assert "2024" not in cleaned.text
    assert cleaned.text.startswith("1234 | Camiseta")


def test_huge_input_is_capped_and_says_so():
    cleaned = clean_paste("x" * (MAX_INPUT_CHARS + 10))
    assert cleaned.truncated
    assert len(cleaned.text) <= MAX_INPUT_CHARS


def test_fold_keeps_one_character_per_character():
    text = "Não é ÇA İstanbul ß"
    assert len(fold(text)) == len(text)
    assert fold("Especificação") == "especificacao"


def test_context_slots_find_order_and_sku_ids():
    assert context_slots("order 1391560531867-01 failed") == {"order": "1391560531867-01"}
    assert context_slots("pedido 702-1234567-1234567") == {"order": "702-1234567-1234567"}
    assert context_slots("SKU: 4410 has this") == {"sku": "4410"}
    assert context_slots("998877 | Camiseta | Inactive SKU") == {"sku": "998877"}


def test_angle_brackets_that_are_not_slack_links_stay_text():
    assert clean_paste("Value (P&B <Kids>) from").text == "Value (P&B <Kids>) from"
    assert clean_paste("see <https://help.vtex.com|the guide>").text == "see the guide"
    assert clean_paste("see <mailto:ops@store.com>").text == "see mailto:ops@store.com"
    assert clean_paste("at <help.vtex.com/tutorial>").text == "at help.vtex.com/tutorial"


@pytest.mark.parametrize(
    ("pasted", "read"),
    [
        ("Inactive\u200b SKU\u202e", "Inactive SKU"),  # invisible and direction marks
        ("a\r\nb\rc", "a\nb\nc"),  # Windows and old Mac line ends
        ("Inactive SKU\\nSKU without trade policy", "Inactive SKU\nSKU without trade policy"),
        ('{"a": "x\\ny"}', "x y"),  # inside JSON, \n is the JSON's own
        ("Camiseta   Inactive SKU", "Camiseta | Inactive SKU"),  # admin cells
        ("Camiseta  Inactive SKU", "Camiseta | Inactive SKU"),
        ("Camiseta Inactive SKU", "Camiseta Inactive SKU"),
        ("a\tb\t\tc", "a | b | c"),
        ("Inactive\x07SKU\x00x", "Inactive SKU x"),  # control characters
        ("The “Color” attribute’s value…", 'The "Color" attribute\'s value...'),
        ("*Inactive SKU* _now_ seller_sku ~gone~", "Inactive SKU now seller_sku gone"),
        ("~struck~ Inactive SKU", "struck Inactive SKU"),
        ("_Inactive SKU_", "Inactive SKU"),
        ("2024-05-12 14:03 Inactive SKU", "Inactive SKU"),
        ("12/05/2024, 14:03:22 PM Inactive SKU", "Inactive SKU"),
        ("SKU 12:30 Inactive", "SKU Inactive"),
        ("  -- Inactive SKU :: |  ", "Inactive SKU"),  # frame characters around a line
        ("\n\n  \nInactive SKU\n\n", "Inactive SKU"),
        (
            "<https://x.com|label> <https://y.com> <!date^123^{date}|Feb 1>",
            "label https://y.com Feb 1",
        ),
        ("<#C123|general> <@U1|ana> Inactive SKU", "Inactive SKU"),
    ],
)
def test_a_paste_is_read_as_the_lines_of_its_error(pasted, read):
    assert clean_paste(pasted).text == read


def test_a_paste_of_exactly_the_limit_is_read_whole():
    assert clean_paste("x" * 10, limit=10) == Cleaned("x" * 10, truncated=False)
    assert clean_paste("x" * 11, limit=10) == Cleaned("x" * 10, truncated=True)
    assert not clean_paste("y" * MAX_INPUT_CHARS).truncated


@pytest.mark.parametrize(
    ("line", "slots"),
    [
        ("order 1391560531867-01 sku 55", {"order": "1391560531867-01", "sku": "55"}),
        ("sku id: 77", {"sku": "77"}),
        ("SKUID=88", {"sku": "88"}),
        ("orden 12345", {"order": "12345"}),
        ("pedido # 702-1234567-1234567", {"order": "702-1234567-1234567"}),
        ("no digits here", {}),
        ("Camiseta 55 | 998877 | Inactive SKU", {"sku": "998877"}),
        ("12 | 34567890123456 | 99", {"sku": "12"}),
        ("orden 12345 | 12345 | 77", {"order": "12345", "sku": "77"}),  # the order is no SKU
        (
            "1391560531867-01 | 1391560531867-01 | 4410",
            {"order": "1391560531867-01", "sku": "4410"},
        ),
    ],
)
def test_ids_said_around_the_message_are_found(line, slots):
    assert context_slots(line) == slots
