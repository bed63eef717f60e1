"""What people paste is reduced to the lines that carry the error."""

from bot.normalize import MAX_INPUT_CHARS, clean_paste, context_slots, fold


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
