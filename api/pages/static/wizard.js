// Progressive enhancement of the wizard's step 2: the hidden format follows the chosen
// metadataPrefix. Without JavaScript the server takes the format of the prefix anyway.
document.querySelectorAll('input[name="prefix"]').forEach(function (radio) {
  radio.addEventListener('change', function () {
    var format = document.getElementById('format');
    if (format && radio.checked && radio.dataset.format) { format.value = radio.dataset.format; }
  });
});
