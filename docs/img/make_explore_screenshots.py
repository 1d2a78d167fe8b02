"""Remake docs/img/explore_sgram_neg.png and docs/img/explore_glove.png.

Why a script: the screenshots should show the page as ``explore`` writes it
today, so they are made from a fresh page, not edited by hand. Needs Chromium,
chromedriver and Selenium (the ``dev`` extra); run from the repository root:

    python docs/img/make_explore_screenshots.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HERE = os.path.dirname(os.path.abspath(__file__))
#: type -> how many "next" clicks before the picture: far enough that the vectors have moved
SHOTS = {"sgram_neg": 250, "glove": 120}


def main():
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1500,1300"):
        options.add_argument(arg)
    # the installed browser and driver: without them Selenium would try to download its own
    options.binary_location = next(filter(None, map(shutil.which, ("chromium", "google-chrome"))))
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for type_name, clicks in SHOTS.items():
                page = os.path.join(tmp, f"{type_name}.html")
                subprocess.run([sys.executable, "-m", "w2v_numpy", "explore", "--type", type_name,
                                "-o", page], check=True)
                driver.get("file://" + page)
                driver.execute_script("var s = document.getElementById('slider'); s.value = "
                                      "arguments[0]; s.dispatchEvent(new Event('input'));", clicks)
                driver.find_element(By.ID, "next").click()     # one real click: what a student does
                # the top of the page: the controls, the step, the map and the parameters
                driver.set_window_size(1500, 1150)
                out = os.path.join(HERE, f"explore_{type_name}.png")
                driver.save_screenshot(out)
                print("wrote", out)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
