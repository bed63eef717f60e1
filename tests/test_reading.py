"""A line that is not the platform's text is read by what it says: retold errors, statements
that only share a message's words, two errors told in one sentence."""

from __future__ import annotations


def ids(matcher, text):
    return [m.id for m in matcher.match(text).matches]


def test_two_errors_told_in_one_sentence_are_both_found(matcher):
    text = (
        "a Amazon diz que a especificação TargetGender é obrigatória e o produto não tem, "
        "e além disso não aceita o valor de Size que colocamos na planilha ('Único')"
    )
    assert set(ids(matcher, text)) == {"targetgender-mandatory", "size-value-not-supported"}


def test_one_error_told_at_length_stays_one(matcher):
    text = (
        "the amazon token in the vtex config form is expired, or doesn't have permission for "
        "that flow, and the connector keeps failing every sku since yesterday"
    )
    assert ids(matcher, text) == ["token-expired"]


def test_a_line_names_three_different_messages_at_most(matcher):
    result = matcher.match("amazon nao aceita o valor de Color da planilha de mapeamento")
    guesses = [result.matches[0].id, *(a.id for a in result.alternatives)]
    assert len(guesses) == len(set(guesses)) <= 4


def test_a_message_cut_short_is_read_as_written_not_as_retold(matcher):
    [match] = matcher.match(
        "SKU 30012, Missing Attributes brand. SKU 30012 doesn't match any ASINs. Make sure that all…"
    ).matches
    assert match.id == "no-asin-match" and match.slots["attribute"] == "brand"


def test_saying_around_a_messages_not_what_it_says_is_no_error(matcher):
    # Most of "The category and attribute mapping spreadsheet was not uploaded", minus the "not".
    assert (
        matcher.match("we re-uploaded the category and attribute mapping spreadsheet").matches == []
    )
    # Cut before its "not", the message is only cut short.
    assert ids(matcher, "The category and attribute mapping spreadsheet w…") == [
        "spreadsheet-not-uploaded"
    ]


def test_what_a_line_quotes_names_the_error_and_the_talk_around_it_does_not(matcher):
    # The quote is what the platform said; the upload is the writer's own story.
    text = "hoje de novo o 'categoria global não preenchida na planilha', e olha que subi a planilha ontem"
    assert ids(matcher, text) == ["global-category-not-completed"]


def test_a_few_words_quoted_as_written_in_one_error_s_messages_are_that_error(matcher):
    assert ids(matcher, "seeing 'to deliver this order' on three orders since noon") == [
        "order-no-sla"
    ]
    assert ids(matcher, "'SKU não coincide com nenhum ASIN' em metade do catálogo") == [
        "no-asin-match"
    ]


def test_talk_that_shares_an_order_error_s_words_but_speaks_of_no_order_is_no_error(matcher):
    assert ids(matcher, "we hid the SKUs out of stock from the storefront, thanks") == []
    # The message itself, misspelled or cut short, needs no word for the order.
    assert ids(matcher, "SKU witout trade polcy") == ["order-sku-no-trade-policy"]
    assert ids(matcher, "Order with SKU out of sto…") == ["order-out-of-stock"]


def test_a_question_about_setting_up_is_no_error(matcher):
    # Told as Portuguese by its everyday words, "no" is "in the", not a negation.
    assert ids(matcher, "onde eu vejo o SELLER ID no Seller Central? vou configurar hoje") == []
    assert (
        ids(matcher, "quero um modelo de planilha de mapeamento, ainda não deu erro nenhum") == []
    )


def test_the_platform_s_own_message_on_a_line_outweighs_what_the_line_quotes(matcher):
    paste = "The SKU you tried to submit is inactive on VTEX (not the 'no available sla' one)"
    assert matcher.match(paste).best.id == "sku-inactive"
