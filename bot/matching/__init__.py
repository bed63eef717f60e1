"""The steps of recognising a known error in a paste, one module each; `bot.matcher` runs them."""
