"""An error told in the writer's own words, in any of the three languages, is recognised as it."""

from __future__ import annotations

import pytest

from bot.matching.retelling import MAX_CONFIDENCE


def best(matcher, text):
    result = matcher.match(text)
    return result.matches[0] if result.matches else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'a planilha de mapeamento manda um valor de "Size" que a Amazon não aceita como valor de atributo',
            "size-value-not-supported",
        ),
        ("gente, pedido da amazon parado com SKU sem estoque", "order-out-of-stock"),
        ("el pedido de Amazon no tiene SLA disponible para la entrega", "order-no-sla"),
        (
            "amazon order stuck, admin only says Inactive SKU, no idea which one",
            "order-inactive-sku",
        ),
        (
            "the size value in the mapping sheet isn't accepted by amazon",
            "size-value-not-supported",
        ),
        ("el SKU 3321 está desactivado en VTEX, no se pudo enviar", "sku-inactive"),
        (
            "shipping type name in our settings differs from seller central",
            "shipping-type-mismatch",
        ),
        (
            "nadie cargó la plantilla de mapeo de categorías y atributos todavía",
            "spreadsheet-not-uploaded",
        ),
    ],
)
def test_retellings_in_three_languages_are_recognised(matcher, text, expected):
    match = best(matcher, text)
    assert match is not None and match.id == expected


@pytest.mark.parametrize(
    "chat",
    [
        "vou subir a planilha de mapeamento amanhã cedo",
        "I uploaded the mapping spreadsheet yesterday",
        "renovei o token da amazon ontem, tudo certo",
        "the order shipped yesterday, tracking is in vtex",
        "cadastrei o atributo tamanho no catálogo hoje",
    ],
)
def test_chat_with_the_same_words_is_not_an_error(matcher, chat):
    assert matcher.match(chat).matches == []


def test_a_retelling_is_never_sure_enough_to_be_answered_unasked(matcher):
    match = best(matcher, "la orden de Amazon tiene un SKU sin política comercial")
    assert match.id == "order-sku-no-trade-policy"
    assert match.score <= MAX_CONFIDENCE < 90  # a watched channel answers from 90 up


def test_what_tells_look_alikes_apart_decides_in_a_retelling_too(matcher):
    assert best(matcher, "a Amazon não aceita o valor de TargetGender da planilha").id == (
        "targetgender-value-not-supported"
    )
    assert best(matcher, "falta a especificação TargetGender no produto, a Amazon exige").id == (
        "targetgender-mandatory"
    )
    assert best(matcher, "amazon won't take the SizeMap value from our spreadsheet").id == (
        "sizemap-value-not-supported"
    )


def test_slots_come_out_of_retellings_as_written(matcher):
    match = best(
        matcher, 'a Amazon não aceita o valor "Azul Marinho" de Cor da planilha de mapeamento'
    )
    assert match.id == "color-value-not-supported"
    assert match.slots["attribute"] == "Cor" and match.slots["value"] == "Azul Marinho"
    order = best(matcher, "Pedido 702-5551234-9876543 não entrou na VTEX: SKU inativo")
    assert order.orders == ("702-5551234-9876543",)


@pytest.mark.parametrize(
    "statement",
    [
        "a categoria global dos produtos novos está configurada na integração",
        "we re-uploaded the category and attribute mapping spreadsheet this morning",
        "el token de la configuración de amazon ya fue renovado",
        # However well it fits one error, a statement stays a guess.
        "stock of sku 88 is at zero, let's pause the listing before an amazon order comes in",
    ],
)
def test_saying_how_things_are_is_no_error(matcher, statement):
    assert matcher.match(statement).matches == []


def test_an_order_error_is_told_about_an_order(matcher):
    assert (
        best(matcher, "o pedido da amazon não entrou: SKU sem estoque").id == "order-out-of-stock"
    )
    # Stock talk with no order in it is the warehouse's business, not the order error.
    assert matcher.match("o sku 7788 está sem estoque no depósito de Recife").matches == []


def test_a_retelling_only_one_error_fits_is_answered(matcher):
    # Few words, but only one error speaks of an expired token.
    assert best(matcher, "o token venceu de novo").id == "token-expired"
    assert best(matcher, "nuestro token de amazon caducó").id == "token-expired"


def first_guess(matcher, text):
    result = matcher.match(text)
    return (result.matches or result.alternatives)[0].id


def test_the_attribute_a_line_names_fills_a_message_that_takes_any(matcher):
    # Divergence's message says "attribute ({attribute})": Tamanho is its attribute, and the
    # line says "different", not "missing".
    text = "o atributo Tamanho do sku na VTEX está diferente do que está na Amazon"
    assert first_guess(matcher, text) == "attribute-divergence"


def test_one_sentence_of_a_long_message_is_enough_to_retell_it(matcher):
    # no-asin-match's message goes on about checking UPC/EAN codes; people say the first part.
    assert best(matcher, "amazon says the EAN of sku 3310 doesn't match any ASIN").id == (
        "no-asin-match"
    )
    assert best(matcher, "the token we put in the amazon config form expired again").id == (
        "token-expired"
    )


def test_a_line_about_what_no_error_is_about_reads_less_like_any(matcher):
    # Invoices, cancellations, brands: the vocabulary knows them, and no error speaks of them.
    assert (
        matcher.match("o pedido 702-1234567-1234567 foi cancelado e a nota fiscal não saiu").matches
        == []
    )
    # Amazon's error 8572, which is not one of ours, says "do not match" too.
    amazon_8572 = (
        "You are using UPCs, EANs, ISBNs, ASINs, or JAN codes that do not match the products you "
        "are trying to list. Using incorrect UPCs, EANs, ISBNs, ASINs or JAN codes is prohibited "
        "and it can result in your ASIN creation privileges being suspended or permanently "
        "removed. Please ensure you are always using the appropriate UPC, EAN, ISBN, ASIN or JAN "
        "code when listing a product. If you have reached this message in error, please contact "
        "Seller Support"
    )
    assert matcher.match(amazon_8572).matches == []


def test_saying_all_is_well_is_no_negation(matcher):
    assert matcher.match("the amazon token is valid until december, no action needed").matches == []
    assert (
        best(matcher, "Pedido 702-1111111-2222222: SKU fora de estoque").id == "order-out-of-stock"
    )


def test_what_will_happen_or_was_meant_is_no_error(matcher):
    assert (
        matcher.match("o token da amazon vence no mês que vem, já agendamos a troca").matches == []
    )
    assert matcher.match("SKU 9001 is inactive: we discontinued that product line").matches == []
