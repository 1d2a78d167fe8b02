"""Text: reading corpora, the vocabulary, character n-grams, labelled lines, co-occurrences.

Everything here turns files into integer arrays and counts; nothing trains.
"""
